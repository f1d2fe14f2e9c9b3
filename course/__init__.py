"""Blockchain & DePIN Skills Lab: the helper package the course notebooks import.

Importing ``course`` is cheap and has no side effects: nothing is downloaded,
compiled or started until a notebook asks for it.
"""

__version__ = "0.1.0"
