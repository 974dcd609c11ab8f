"""The decision core: rules every kind shares (coverage gate, horizon, interim readings)."""
