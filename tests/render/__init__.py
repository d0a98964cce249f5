"""Tests of showrunner.render."""
