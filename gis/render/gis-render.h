/* gis-render.h: map rendering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-viewport.h"
#include "gis-color.h"
#include "gis-classify.h"
#include "gis-layer-data.h"
#include "gis-style.h"
#include "gis-renderer.h"
