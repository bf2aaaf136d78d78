module teardown/samples/gen/traffic

go 1.19
