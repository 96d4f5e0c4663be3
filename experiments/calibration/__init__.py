"""Calibration of the model to observed figures by ABC-SMC (``alliance calibrate``), and the
posterior draws that ``alliance run|compare --posterior`` give each replication."""
