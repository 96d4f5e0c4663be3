"""The paper's report (``alliance report``) and the simulated experimentation of the law
(``alliance experiment-design``): figures, tables, methods and provenance rebuilt by one
command, with a cache keyed on parameters, seeds and code version."""
