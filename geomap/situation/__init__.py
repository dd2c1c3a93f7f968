"""The lägesbild: weekly, tertial and two-yearly pictures of the remarks, per district and owner."""
