module example.invalid/simcluster/launcher

go 1.26.0
