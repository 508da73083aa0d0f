"""The service's rules with no I/O: the SOP table's types, actions, decisions and the engine
that judges them, family data and its numbers, office time, names, reference data.
"""
