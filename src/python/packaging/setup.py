# The wheel holds native modules built by CMake for this Python and machine: mark it as
# platform-specific (not "py3-none-any"), so pip does not install it where it cannot load.
from setuptools import setup
from setuptools.dist import Distribution


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


setup(distclass=BinaryDistribution)
