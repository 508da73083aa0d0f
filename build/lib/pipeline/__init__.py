"""kkwna: the Family Card (KK WNA) document pipeline of a Disdukcapil office."""

__version__ = "0.1.0"
