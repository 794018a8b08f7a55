// Copyright ©2017 The Gonum Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !minimal
// +build !minimal

package plot // import "github.com/netsimlab/netsim/third_party/gonumplot"

import (
	_ "github.com/netsimlab/netsim/third_party/gonumplot/vg/vgimg"
	_ "github.com/netsimlab/netsim/third_party/gonumplot/vg/vgpdf"
	_ "github.com/netsimlab/netsim/third_party/gonumplot/vg/vgsvg"
)
