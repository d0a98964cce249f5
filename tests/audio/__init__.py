"""Tests of showrunner.audio."""
