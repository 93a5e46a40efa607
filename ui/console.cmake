# The web console (ui/public), compiled into rosterd: every file's bytes,
# its gzip-compressed bytes and its ETag, as the table that
# lib/api/console_files.hpp declares. Included by the top CMakeLists.txt.
file(GLOB CONSOLE_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/public/*)
find_program(GZIP gzip REQUIRED)
set(CONSOLE_SOURCE ${PROJECT_BINARY_DIR}/console_files.cpp)
add_custom_command(OUTPUT ${CONSOLE_SOURCE}
  COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_CURRENT_LIST_DIR}/public -DWORK=${PROJECT_BINARY_DIR}/console
          -DOUT=${CONSOLE_SOURCE} -DGZIP=${GZIP} -P ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  DEPENDS ${CONSOLE_FILES} ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  COMMENT "Compiling the web console's files into rosterd")
