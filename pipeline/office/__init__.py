"""The office itself: its profile (kkwna.toml), its folder (home), durable file operations, and
the machine's faults.
"""
