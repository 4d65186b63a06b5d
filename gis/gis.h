/* gis.h: the Atalaya GIS core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-types.h"
#include "gis-error.h"
#include "gis-init.h"
#include "gis-extent.h"
#include "gis-crs.h"
#include "gis-layer.h"
#include "gis-store.h"
#include "gis-cursor.h"
#include "gis-import.h"
#include "gis-export.h"
#include "gis-raster.h"
#include "gis-runs.h"
#include "gis-render.h"
#include "gis-features.h"
#include "gis-edit.h"
#include "gis-queries.h"
#include "gis-analysis.h"
#include "gis-hotspots.h"
#include "gis-compose.h"
