/* gis-hotspots.h: hotspot analyses on projected points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-dbscan.h"
#include "gis-emerging.h"
#include "gis-gistar.h"
#include "gis-hotspots-input.h"
#include "gis-hotspots-layers.h"
#include "gis-hotspots-kde.h"
#include "gis-kde.h"
#include "gis-spacetime.h"
