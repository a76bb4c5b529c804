# Vulkan tests on lavapipe.
#
#   pm4d_add_vulkan_test(NAME <name> COMMAND <cmd> [args...] [LAYER on|off]
#                        [ENVIRONMENT VAR=value ...] [LABELS l ...])
#
# Adds a ctest test whose environment selects Mesa's lavapipe (VK_ICD_FILENAMES, found at
# configure time as PM4D_LVP_ICD), keeps lavapipe's shader cache inside the build tree
# (MESA_SHADER_CACHE_DIR), makes the built explicit manifest visible (VK_LAYER_PATH) and, with
# LAYER on, enables the layer (VK_INSTANCE_LAYERS=VK_LAYER_PM4DIRECT_conv2d). The implicit
# manifest is not on the path unless ENVIRONMENT sets XDG_DATA_HOME=${PM4D_MANIFEST_XDG_DIR}.
# The test skips with exit code 77 (SKIP_RETURN_CODE). When lavapipe is missing, the test
# command still runs and is expected to print SKIPPED and exit 77 when it finds no device.
#
# Variables for test scripts: PM4D_MANIFEST_EXPLICIT_DIR, PM4D_MANIFEST_XDG_DIR, PM4D_LVP_ICD,
# PM4D_LAYER_NAME, PM4D_VVL_MANIFEST_DIR (folder of the Khronos validation layer's manifest, to
# append to VK_LAYER_PATH; "...-NOTFOUND" when it is not installed).
include(GNUInstallDirs)

set(PM4D_LAYER_NAME VK_LAYER_PM4DIRECT_conv2d)
set(PM4D_MANIFEST_EXPLICIT_DIR ${CMAKE_BINARY_DIR}/manifest/explicit)
set(PM4D_MANIFEST_XDG_DIR ${CMAKE_BINARY_DIR}/manifest/xdg)
find_file(PM4D_LVP_ICD NAMES lvp_icd.x86_64.json lvp_icd.json lvp_icd.aarch64.json
  PATHS /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d /etc/vulkan/icd.d NO_DEFAULT_PATH)
if(NOT PM4D_LVP_ICD)
  message(STATUS "lavapipe ICD not found: Vulkan tests will skip")
  set(PM4D_LVP_ICD /nonexistent/lvp_icd.json)
endif()

find_path(PM4D_VVL_MANIFEST_DIR VkLayer_khronos_validation.json
  PATHS /usr/share/vulkan/explicit_layer.d /usr/local/share/vulkan/explicit_layer.d NO_DEFAULT_PATH)

function(pm4d_add_vulkan_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;LAYER" "COMMAND;ENVIRONMENT;LABELS")
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "pm4d_add_vulkan_test: NAME and COMMAND are required")
  endif()
  add_test(NAME ${arg_NAME} COMMAND ${arg_COMMAND})
  set(env
    VK_ICD_FILENAMES=${PM4D_LVP_ICD}
    MESA_SHADER_CACHE_DIR=${CMAKE_BINARY_DIR}/mesa-shader-cache
    VK_LAYER_PATH=${PM4D_MANIFEST_EXPLICIT_DIR}
    PM4D_LAYER_NAME=${PM4D_LAYER_NAME})
  if(arg_LAYER)
    list(APPEND env VK_INSTANCE_LAYERS=${PM4D_LAYER_NAME})
  endif()
  list(APPEND env ${arg_ENVIRONMENT})
  set_tests_properties(${arg_NAME} PROPERTIES ENVIRONMENT "${env}" SKIP_RETURN_CODE 77)
  if(arg_LABELS)
    set_tests_properties(${arg_NAME} PROPERTIES LABELS "${arg_LABELS}")
  endif()
endfunction()
