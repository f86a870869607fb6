# MySQL Connector/C++ 1.1 ships no CMake or pkg-config file: find the header and the library and
# wrap them in an imported target, cmc::mysqlcppconn. Its headers include Boost (header-only).
find_package(Boost REQUIRED)
find_path(MYSQLCPPCONN_INCLUDE_DIR mysql_driver.h REQUIRED)
find_library(MYSQLCPPCONN_LIBRARY mysqlcppconn REQUIRED)
add_library(cmc_mysqlcppconn INTERFACE)
add_library(cmc::mysqlcppconn ALIAS cmc_mysqlcppconn)
target_include_directories(cmc_mysqlcppconn SYSTEM INTERFACE ${MYSQLCPPCONN_INCLUDE_DIR} ${Boost_INCLUDE_DIRS})
target_link_libraries(cmc_mysqlcppconn INTERFACE ${MYSQLCPPCONN_LIBRARY})
