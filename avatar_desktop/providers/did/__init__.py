"""D-ID: the photoreal presenter (your portrait, or a stock presenter), one clip per sentence."""
