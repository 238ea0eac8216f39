package main

import "errors"

// runBench is not implemented yet.
func runBench(args []string) error { return errors.New("bench: not implemented yet") }
