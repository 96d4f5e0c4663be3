"""The submodels, one module each, in the order the model runs them every month.

The order and the names match docs/ODD.md ("Submodels"). Each module has
``coefficients(params)``, its named ``Coefficients`` record (the only place its levers are read;
simulation.kernel.coefficients hands it to the kernels as a float array), and a compiled
``step`` kernel.
"""

ORDER = ("elections", "needs", "emergence", "partner_search", "governance", "funding",
         "action", "conflicts", "outcomes", "scaling", "learning")
