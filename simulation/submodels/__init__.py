"""The submodels, one module each, in the order the model runs them every month.

The order and the names match docs/ODD.md ("Submodels"). Each module has
``coefficients(params) -> numpy array`` (the only place its levers are read) and a compiled
``step`` kernel.
"""

ORDER = ("elections", "needs", "emergence", "partner_search", "governance", "funding",
         "action", "conflicts", "outcomes", "scaling", "learning")
