-- One database per service; each service keeps its tables in a schema of its own name.
CREATE DATABASE credits;
CREATE DATABASE payments;
CREATE DATABASE invoicing;
