/* gis-analysis.h: coverage gaps and the siting of new resources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-coverage.h"
#include "gis-mclp.h"
