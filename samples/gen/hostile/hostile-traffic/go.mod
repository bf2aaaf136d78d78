module teardown/samples/gen/hostile/hostile-traffic

go 1.19
