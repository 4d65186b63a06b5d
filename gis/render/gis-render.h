/* gis-render.h: map rendering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-viewport.h"
