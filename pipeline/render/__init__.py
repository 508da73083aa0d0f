"""Documents drawn from layouts: pages, blocks, fonts, QR codes, the Family Card itself, PDF/A.
"""
