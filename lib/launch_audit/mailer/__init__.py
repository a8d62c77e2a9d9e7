"""The founder email: building the MIME message, drawing the latency chart as a PNG, and sending it."""
