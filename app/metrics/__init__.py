"""Usage metrics of the rolled-out system, imported per quarter and department."""
