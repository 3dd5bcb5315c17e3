"""The stage: who performs an answer (the drawn avatar's speaker, the D-ID presenter)."""
