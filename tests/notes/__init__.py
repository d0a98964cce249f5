"""Tests of showrunner.notes."""
