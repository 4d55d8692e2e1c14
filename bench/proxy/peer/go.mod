module aeraki.dev/benchpeer

go 1.22
