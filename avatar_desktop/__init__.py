"""Avatar Desktop: talk to an AI; a drawn avatar answers out loud."""

APP_NAME = "Avatar Desktop"
APP_ID = "avatar-desktop"
APP_AUTHOR = "AvatarDesktop"
__version__ = "0.1.0"
