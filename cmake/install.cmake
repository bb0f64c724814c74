# Installing pseudo-cluster the way C++ tools install (`make install PREFIX=...`, `make deb`):
#   PREFIX/bin/pseudo-cluster, PREFIX/bin/zkd      side by side: the supervisor starts the zkd
#                                                  beside its own binary (supervisor/engine.cc)
#   PREFIX/share/man/man1/pseudo-cluster.1, zkd.1  docs/*.1 (scripts/man-pages.py writes them)
#   PREFIX/share/pseudo-cluster/cluster-configs    example cluster descriptions for `up --config`
#   PREFIX/share/doc/pseudo-cluster                README, LICENSE, docs/*.md and their images
# The lesson catalogues and the `ui` page are embedded in the binary, so nothing else is needed
# at run time; the apache engine finds Apache ZooKeeper through the Debian `zookeeper` package
# (/usr/share/java/zookeeper.jar), a Recommends of the package.
include(GNUInstallDirs)

# `install` need not build the tests first: `make install` and `make deb` build the two programs.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS pseudo-cluster-bin zkd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/pseudo-cluster.1 docs/zkd.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(DIRECTORY cluster-configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/pseudo-cluster/cluster-configs
        FILES_MATCHING PATTERN "*.ini")
# (GNUInstallDirs' DOCDIR would be named after the CMake project, pseudo_cluster.)
set(PC_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/pseudo-cluster)
install(FILES README.md LICENSE DESTINATION ${PC_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${PC_DOCDIR}/docs PATTERN "*.1" EXCLUDE)

# ---- the Debian package (CPack) ----
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pseudo-cluster)
set(CPACK_PACKAGE_VERSION 0.1.0)
set(CPACK_PACKAGE_CONTACT "pseudo-cluster maintainers <pseudo-cluster@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "a ZooKeeper ensemble on one machine: zkd and a supervisor for it and Apache ZooKeeper")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# The shared libraries' packages (libuv1, libspdlog, libzookeeper-mt2, libncurses, ...) come
# from dpkg-shlibdeps, which reads the binaries, so the list cannot go stale.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "zookeeper, default-jre-headless")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS python3-kazoo)
# Stripped binaries: a RelWithDebInfo build's debug info would make the package ten times larger.
set(CPACK_STRIP_FILES ON)
include(CPack)
