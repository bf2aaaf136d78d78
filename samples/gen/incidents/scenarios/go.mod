module teardown/samples/gen/incidents/scenarios

go 1.19
