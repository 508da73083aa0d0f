"""Desk forms out and back: placed on a role's desk folder, read back when saved.
"""
