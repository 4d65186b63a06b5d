/* gis-compose.h: map composition for export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-composition.h"
#include "gis-indicators.h"
