"""Input and output files: discovering and decoding inputs, HTML to text, what ``-o`` may be, atomic writes."""
