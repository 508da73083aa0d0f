"""The family of INTERFACE.md's example, shared by the tests: the same copy `kkwna demo`
uses (one copy to keep right)."""

from __future__ import annotations

from pipeline.demo import ADDRESS, HEAD

__all__ = ["ADDRESS", "HEAD"]
