"""Static analysis of an APK with androguard's parsers and a direct dex scan.

androguard logs every attribute it decodes through loguru; that noise would bury the one
line a user needs, so it is switched off for the whole package.
"""

from loguru import logger

logger.disable("androguard")
