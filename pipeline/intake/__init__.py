"""SOP step 1: scans dropped into a service's inbox become a case, or go to quarantine.
"""
