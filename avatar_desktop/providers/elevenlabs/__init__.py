"""ElevenLabs: a cloud voice whose per-character timings become the drawn avatar's lip sync."""
