"""Test doubles of the app's own interfaces and loopback fakes of the cloud services."""
