/* gis-queries.h: spatial and attribute queries without SQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-query.h"
#include "gis-query-plan.h"
#include "gis-query-result.h"
