"""What the office reads about its own work: `kkwna status` and the monthly report.
"""
