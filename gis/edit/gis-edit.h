/* gis-edit.h: editing features and previewing imports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis-editor.h"
#include "gis-import-preview.h"
