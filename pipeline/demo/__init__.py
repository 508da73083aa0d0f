"""`kkwna demo`: a case driven through every desk, with sample scans drawn for it.
"""
