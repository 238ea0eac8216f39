package main

import "errors"

// runEPMD is not implemented yet.
func runEPMD(args []string) error { return errors.New("epmd: not implemented yet") }
