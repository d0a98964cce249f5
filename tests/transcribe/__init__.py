"""Tests of showrunner.transcribe."""
