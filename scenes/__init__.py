"""Manim scenes of gdanim: one module per concept, numbers from gdanim."""
