"""Stage 5's red team: the probe set (data), detectors (pure), and the conversation driver."""
