"""The electronic register and the evidence that it was not rewritten: the event chain, its
log, signed checkpoints.
"""
