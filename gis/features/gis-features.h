/* gis-features.h: feature access for identify, selection and the attribute table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-feature.h"
#include "gis-feature-filter.h"
#include "gis-feature-model.h"
#include "gis-feature-query.h"
#include "gis-feature-row.h"
